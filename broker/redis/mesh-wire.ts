import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { REFUSAL_MESSAGES } from '../../core/signalling';
import type { MeshMessage } from '../signalling/mesh';

const Text = Type.String({ maxLength: 256 * 1024 });
const Name = Type.String({ maxLength: 128 });

/** MeshMessage as a schema: what another node publishes is checked before the hub sees it. */
const Wire = TypeCompiler.Compile(
  Type.Union([
    Type.Object({ t: Type.Literal('signal'), to: Name, src: Name, frame: Text }),
    Type.Object({ t: Type.Literal('relay'), to: Name, src: Name, conn: Name, id: Name, frame: Text }),
    Type.Object({ t: Type.Literal('frame'), to: Name, conn: Name, frame: Text }),
    Type.Object({ t: Type.Literal('presence'), to: Name, from: Name, online: Type.Boolean() }),
    Type.Object({
      t: Type.Literal('end'),
      to: Name,
      conn: Type.Optional(Name),
      code: Type.Union(Object.keys(REFUSAL_MESSAGES).map((code) => Type.Literal(code))),
    }),
  ]),
);

/** The message in a pub/sub payload, or undefined for anything else (a foreign publisher, a newer node's kind). */
export function parseMeshMessage(text: string): MeshMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return Wire.Check(value) ? (value as MeshMessage) : undefined;
}

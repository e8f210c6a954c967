import { Type } from '@sinclair/typebox';

export const Credentials = Type.Object({ handle: Type.String(), password: Type.String() });
export const HandleBody = Type.Object({ handle: Type.String() });
export const SessionBody = Type.Object({ token: Type.String(), handle: Type.String(), expiresAt: Type.String() });

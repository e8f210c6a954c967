import { launchBrokerNodes } from './broker-nodes/launch';

/**
 * `npm run broker:nodes`: three broker nodes on PostgreSQL and Redis behind nginx, as compose.yaml runs them,
 * on this machine without Docker (docs/broker.md#several-nodes-without-docker). Ctrl-C stops it all.
 */
async function main(): Promise<void> {
  process.stdout.write('Starting PostgreSQL, Redis, three broker nodes and nginx on 127.0.0.1…\n');
  const local = await launchBrokerNodes();
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping nginx, the nodes, Redis and PostgreSQL…\n');
    local.stop().then(
      () => {
        process.stdout.write('Stopped; the temp directories are removed.\n');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`Could not stop cleanly: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.stdout.write(
    [
      `Peerwall broker (3 nodes behind nginx) on ${local.url}`,
      ...local.nodes.map((node, i) => `  node ${i + 1}: http://127.0.0.1:${node.port}  (Redis id ${node.id}, log ${node.logFile})`),
      `  nginx: config and logs in ${local.dir}`,
      `  PostgreSQL on port ${local.postgres.port}, Redis at ${local.redis.url}`,
      `Enter ${local.url} as the Broker URL in the extension. Press Ctrl-C to stop everything and remove the temp directories.`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`npm run broker:nodes could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

// s3rver in a process of its own (startTestS3Server's `ownProcess`): a real S3 server is never
// in the uploader's process, and in a throughput bench its MD5s and file writes must not share
// the event loop of the copies being measured. Started with fork(): argv is <directory> <bucket>;
// it sends { port } once listening and stops on 'stop' or when its parent goes.
import S3rver from 's3rver';

const [directory, bucket] = process.argv.slice(2);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
const { port } = await server.run();
process.send({ port });
const stop = async () => {
  server.httpServer?.closeAllConnections?.();
  await server.close().catch(() => {});
  process.exit(0);
};
process.on('message', (m) => {
  if (m === 'stop') void stop();
});
process.on('disconnect', () => void stop());

// Runs the WhatsApp simulator in a process of its own, so its CPU time is measured apart from the app's.
// Parent messages: {cmd: 'cpu'} returns {evt: 'cpu', user, system} in microseconds; {cmd: 'arrivals'}
// returns {evt: 'arrivals', arrivals} and clears them; {cmd: 'close'} stops it.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// libsignal prints session records with console.info; the app's filter keeps them out of the output.
require(`${process.env.BENCH_BACKEND_DIR ?? new URL('../../backend', import.meta.url).pathname}/dist/common/libsignal-console.js`).installLibsignalConsoleFilter();

// Records when each message stanza from a linked device reaches the simulator, before the ack and the
// decryption, because that is when WhatsApp would see the send. core.js reads the export at each call,
// so replacing `handleMessage` on the module wraps every call.
const messaging = require('../../simulator/dist/messaging.js');
const arrivals = [];
const handleMessage = messaging.handleMessage;
messaging.handleMessage = (core, conn, stanza) => {
  const at = performance.timeOrigin + performance.now();
  if (conn.login && stanza.attrs?.id) arrivals.push({ id: stanza.attrs.id, from: conn.login.phone, deviceId: conn.login.deviceId, to: stanza.attrs.to, at });
  return handleMessage(core, conn, stanza);
};

const { startSimulator } = require('../../simulator/dist/index.js');

const simulator = await startSimulator({ port: 0 });
process.send({ evt: 'ready', wsUrl: simulator.wsUrl, controlUrl: simulator.controlUrl, rootPublicKey: Buffer.from(simulator.rootPublicKey).toString('base64') });

process.on('message', async (message) => {
  if (message.cmd === 'cpu') process.send({ evt: 'cpu', ...process.cpuUsage(), rss: process.memoryUsage().rss });
  if (message.cmd === 'arrivals') process.send({ evt: 'arrivals', arrivals: arrivals.splice(0) });
  if (message.cmd === 'close') {
    await simulator.close();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));

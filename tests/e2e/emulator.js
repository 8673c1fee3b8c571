// Starts the third-party Telegram Bot API emulator (telegram-test-api) for the end-to-end
// tests: node emulator.js PORT. Prints "ready" once listening; stops on SIGTERM.
const TelegramServer = require('telegram-test-api');

async function main() {
  const port = Number(process.argv[2]);
  const server = new TelegramServer({port, host: '127.0.0.1', storage: 'RAM', storeTimeout: 600});
  await server.start();
  console.log(`ready ${port}`);
  const stop = async () => { await server.stop(); process.exit(0); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => { console.error(error); process.exit(1); });

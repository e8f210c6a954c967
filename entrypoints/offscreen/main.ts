import { sendRequest } from '@/platform/message-client';
import { startPeerHost } from '@/platform/start-peer-host';

// Offscreen documents only get `runtime`, so the session is kept by the background.
startPeerHost(
  {
    load: () => sendRequest('bg:session-get'),
    save: async (session) => void (await sendRequest('bg:session-set', { session })),
    erase: async (handle) => void (await sendRequest('bg:erase-stored', { handle })),
  },
  // Notifications and the badge belong to the background: this document only has `runtime`.
  (notice) => void sendRequest('bg:notify', notice).catch(() => undefined),
);

import { defineBackground } from 'wxt/utils/define-background';
import { startBackground } from '@/platform/background/start-background';

export default defineBackground({
  // Firefox MV2: a persistent page, because it hosts the peer that must stay online.
  persistent: { firefox: true },
  main: startBackground,
});

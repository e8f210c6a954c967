import { createSSRApp, h } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { createPinia, setActivePinia } from 'pinia';

/** Renders a component to HTML on the server, with a fresh Pinia that `setup` can seed first. */
export async function render(component: object, props: Record<string, unknown> = {}, setup?: () => void): Promise<string> {
  const app = createSSRApp({ render: () => h(component, props) });
  const pinia = createPinia();
  app.use(pinia);
  setActivePinia(pinia);
  setup?.();
  // Scoped-style attributes and SSR fragment markers are noise for these assertions.
  return (await renderToString(app)).replace(/ data-v-[0-9a-f]+/g, '').replace(/<!--\[-->|<!--\]-->|<!---->/g, '');
}

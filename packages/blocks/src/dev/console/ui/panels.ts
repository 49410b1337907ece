/**
 * Every Block folder's console-ui.tsx, found by file name at build time of
 * this page (Vite's glob import), so adding a panel is adding that file.
 */
import type { ConsolePanelUi } from './kit';

const modules = import.meta.glob<{ panel: ConsolePanelUi }>('../../../blocks/*/console-ui.tsx', { eager: true });

export const panelsById: ReadonlyMap<string, ConsolePanelUi> = new Map(
  Object.values(modules).map(({ panel }) => [panel.id, panel]),
);

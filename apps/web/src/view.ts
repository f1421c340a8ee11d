/** What the router mounts: a root element, a document title, and cleanup (socket listeners). */
export type View = { element: HTMLElement; title: string; dispose: () => void };

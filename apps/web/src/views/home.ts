import { loadCatalogue } from '../catalogue';
import { h } from '../dom';
import type { View } from '../view';
import { jobList } from './job-list';
import { uploadForm } from './upload-form';

/** `#/`: the upload form beside the job list; a submission refreshes the list. */
export function homeView(): View {
  const list = jobList();
  const formSlot = h('div', { class: 'form-slot' }, h('p', { class: 'card' }, 'Loading languages…'));
  const element = h('div', { class: 'home-grid' }, formSlot, list.element);
  void loadCatalogue().then((catalogue) => {
    formSlot.replaceChildren(uploadForm(catalogue, () => void list.refresh()));
  });
  return { element, title: 'Babelfish — jobs', dispose: () => list.dispose() };
}

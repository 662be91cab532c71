// PLACEHOLDER: replaced by the page's real implementation.
import { PageHeader } from '../../components/ui.tsx';

export function Settings() {
  return (
    <section>
      <PageHeader title="Settings" />
      <p>Being built.</p>
    </section>
  );
}

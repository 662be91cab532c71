// PLACEHOLDER: replaced by the page's real implementation.
import { PageHeader } from '../../components/ui.tsx';

export function Assets() {
  return (
    <section>
      <PageHeader title="Assets" />
      <p>Being built.</p>
    </section>
  );
}

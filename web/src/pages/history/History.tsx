// PLACEHOLDER: replaced by the page's real implementation.
import { PageHeader } from '../../components/ui.tsx';

export function History() {
  return (
    <section>
      <PageHeader title="History" />
      <p>Being built.</p>
    </section>
  );
}

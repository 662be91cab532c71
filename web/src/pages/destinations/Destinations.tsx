// PLACEHOLDER: replaced by the page's real implementation.
import { PageHeader } from '../../components/ui.tsx';

export function Destinations() {
  return (
    <section>
      <PageHeader title="Destinations" />
      <p>Being built.</p>
    </section>
  );
}

// PLACEHOLDER: replaced by the page's real implementation.
import { PageHeader } from '../../components/ui.tsx';

export function Cameras() {
  return (
    <section>
      <PageHeader title="Cameras" />
      <p>Being built.</p>
    </section>
  );
}

// PLACEHOLDER: replaced by the page's real implementation.
import { PageHeader } from '../../components/ui.tsx';

export function ControlRoom() {
  return (
    <section>
      <PageHeader title="ControlRoom" />
      <p>Being built.</p>
    </section>
  );
}

// Said wherever music goes on a timeline: platforms match the sound against their catalogues.
import { Notice } from '../../../../components/ui.tsx';

export function LicenceNotice() {
  return (
    <Notice kind="warning">
      Use music the venue holds a licence for, or royalty-free music. Platforms match the sound of a stream
      against their catalogues (YouTube Content ID): unlicensed music can get the stream muted or taken down.
    </Notice>
  );
}

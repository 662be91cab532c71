// The result of "Test connection" in plain words: what the camera sends, or why it could not be
// reached and what to do about it.
import { ErrorNotice, Notice } from '../../components/ui.tsx';
import { describeVideo, testFailure, type TestResult } from './camera-api.ts';

export function TestOutcome({ result }: { result: TestResult }) {
  if (result.ok)
    return (
      <Notice kind="success">
        <div>
          <strong>Connected.</strong> The camera sends {describeVideo(result)} (answered in{' '}
          {(result.latencyMs / 1000).toFixed(1)} s).
        </div>
      </Notice>
    );
  return (
    <div className="test-failed">
      <ErrorNotice error={testFailure(result)} />
      {result.detail ? (
        <details className="test-detail">
          <summary>Technical detail (for support)</summary>
          <code>{result.detail}</code>
        </details>
      ) : null}
    </div>
  );
}

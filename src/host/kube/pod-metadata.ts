// Reads a pod metadata file: a JSON list of pods, or the kubelet's /pods (or `kubectl get pods -o json`)
// saved to a file. Parsing is pure (kube/pod-metadata.ts); this is only the file.
import { type PodMetadata, parsePodMetadata } from '../../kube/pod-metadata.js';
import { OomguardError } from '../../model/errors.js';
import { readInputFile } from './input-file.js';

/** The file's pods; HostReadError when it cannot be read (exit 1), UsageError when it is malformed (exit 2). */
export function readPodMetadataFile(path: string): PodMetadata[] {
  return parsePodMetadata(readInputFile(path, 'pod metadata'), path);
}

/**
 * For a daemon that should keep working without metadata: the file's pods, or null after one warning
 * when it is missing, unreadable or malformed (the ranking then treats every pod as priority 0, request 0).
 */
export function tryReadPodMetadataFile(path: string, warn: (message: string) => void): PodMetadata[] | null {
  try {
    return readPodMetadataFile(path);
  } catch (error) {
    if (!(error instanceof OomguardError)) throw error;
    warn(`${error.message}; ranking pods without metadata (priority 0, request 0)`);
    return null;
  }
}

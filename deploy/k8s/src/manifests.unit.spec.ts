import * as fs from 'node:fs';
import * as path from 'node:path';
import { Topics } from '@switchboard/contracts';
import { GATEWAY_RECORDINGS_DIR, renderBase, SCALING_LABEL } from './render-manifests';

describe('deploy/k8s base', () => {
  const rendered = renderBase();

  it.each(Object.keys(rendered))('%s is committed and current (else run: npm run k8s:render)', (file) => {
    expect(fs.readFileSync(path.join(__dirname, '..', 'base', file), 'utf8')).toBe(rendered[file]);
  });

  it('declares a KafkaTopic for every registry topic and its dead-letter topic', () => {
    for (const t of Object.values(Topics)) {
      expect(rendered['kafka-topics.yaml']).toContain(`topicName: ${t.name}\n`);
      expect(rendered['kafka-topics.yaml']).toContain(`topicName: ${t.dlq}\n`);
    }
  });

  it('probes every service over gRPC health and runs it as non-root with a read-only root filesystem', () => {
    for (const file of Object.keys(rendered).filter((f) => !['kustomization.yaml', 'kafka-topics.yaml'].includes(f))) {
      // The probe's fields nest under it (a sibling `grpc:` would leave the probe empty).
      expect(rendered[file]).toMatch(/ {10}readinessProbe:\n {12}grpc:\n {14}port: 8443\n/);
      expect(rendered[file]).toMatch(/ {10}livenessProbe:\n {12}grpc:\n {14}port: 8443\n/);
      expect(rendered[file]).toContain('runAsNonRoot: true');
      expect(rendered[file]).toContain('readOnlyRootFilesystem: true');
    }
  });

  describe('the telephony gateway', () => {
    const gateway = rendered['telephony-gateway.yaml'];

    it('runs one active and one hot-standby replica per PBX link, kept by the link lease, spread over nodes', () => {
      expect(gateway).toMatch(/# One active \+ one hot standby per PBX link.*ADR 0010.*\n {2}replicas: 2\n/);
      expect(gateway).toContain('switchboard.io/scaling: one-active-per-pbx-link');
      expect(gateway).toContain('- { name: LINK_LEASE_RETRY_SECONDS, value: "5" }');
      expect(gateway).toMatch(/podAntiAffinity:[\s\S]*topologyKey: kubernetes.io\/hostname/);
      expect(gateway).toMatch(/kind: PodDisruptionBudget[\s\S]*maxUnavailable: 1/);
    });

    it('takes its PBX settings from the telephony-gateway-pbx ConfigMap and its secrets from a Secret, never from values here', () => {
      expect(gateway).toContain('- configMapRef: { name: telephony-gateway-pbx }');
      for (const key of ['AMI_SECRET', 'CALLER_HASH_KEY']) {
        expect(gateway).toContain(`- name: ${key}\n              valueFrom: { secretKeyRef: { name: telephony-gateway-pbx-credentials, key: ${key} } }`);
      }
      expect(gateway).not.toMatch(/name: (AMI_HOST|AMI_USERNAME|AMI_SECRET|CALLER_HASH_KEY|PBX_LINK_ID), value:/);
    });

    it('reads call recordings from the pbx-recordings claim, mounted read-only where RECORDINGS_DIR points', () => {
      expect(gateway).toContain(`- { name: RECORDINGS_DIR, value: ${GATEWAY_RECORDINGS_DIR} }`);
      expect(gateway).toContain(`- { name: recordings, mountPath: ${GATEWAY_RECORDINGS_DIR}, readOnly: true }`);
      expect(gateway).toContain('persistentVolumeClaim: { claimName: pbx-recordings, readOnly: true }');
    });

    it('is the only service the production overlay does not scale to three', () => {
      const prod = fs.readFileSync(path.join(__dirname, '..', 'overlays', 'prod', 'kustomization.yaml'), 'utf8');
      expect(prod).toContain(`target: { kind: Deployment, labelSelector: "${SCALING_LABEL}=consumer-group" }`);
      for (const file of Object.keys(rendered).filter((f) => !['kustomization.yaml', 'kafka-topics.yaml'].includes(f))) {
        expect(rendered[file]).toContain(`${SCALING_LABEL}: ${file === 'telephony-gateway.yaml' ? 'one-active-per-pbx-link' : 'consumer-group'}`);
      }
    });
  });
});

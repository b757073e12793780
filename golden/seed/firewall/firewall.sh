#!/usr/bin/env bash
# Firewall rules of mesh sample, written by meshc: edit the spec, not this file.
set -euo pipefail

gcloud compute firewall-rules create sample-cluster1-to-cluster2 \
    --project=sample-proj \
    --network=default \
    --direction=INGRESS \
    --priority=900 \
    --action=ALLOW \
    --rules=tcp:8080 \
    --source-ranges=10.4.0.0/14 \
    --target-tags=gke-cluster2-node \
    --description='meshc: calls from cluster1 to cluster2: istio-apps/sample-caller → istio-apps/sample-producer'

#!/usr/bin/env bash
# Firewall rules of mesh legacy, written by meshc: edit the spec, not this file.
set -euo pipefail

gcloud compute firewall-rules create legacy-multicluster-pods \
    --project=legacy-prod \
    --network=legacy-net \
    --direction=INGRESS \
    --priority=900 \
    --action=ALLOW \
    --rules=tcp,udp,icmp,esp,ah,sctp \
    --source-ranges=172.16.0.0/16,172.17.0.0/16 \
    --target-tags=gke-prod-a,gke-prod-b \
    --description='meshc: pod-to-pod traffic between the clusters of mesh legacy on network legacy-net'

#!/usr/bin/env bash
# Firewall rules of mesh retail, written by meshc: edit the spec, not this file.
set -euo pipefail

gcloud compute firewall-rules create retail-europe-west1-to-us-east1 \
    --project=retail-prod \
    --network=retail-vpc \
    --direction=INGRESS \
    --priority=900 \
    --action=ALLOW \
    --rules=tcp:8080 \
    --source-ranges=10.24.0.0/14 \
    --target-tags=gke-retail-us-east1-node \
    --description='meshc: calls from europe-west1 to us-east1: catalog/recommendations → catalog/catalog, storefront/frontend → catalog/catalog, storefront/frontend → payments/checkout, storefront/frontend → storefront/cart'

gcloud compute firewall-rules create retail-europe-west1-to-us-west1 \
    --project=retail-prod \
    --network=retail-vpc \
    --direction=INGRESS \
    --priority=900 \
    --action=ALLOW \
    --rules=tcp:8080 \
    --source-ranges=10.24.0.0/14 \
    --target-tags=gke-retail-us-west1-node \
    --description='meshc: calls from europe-west1 to us-west1: catalog/recommendations → catalog/catalog, storefront/frontend → catalog/catalog'

gcloud compute firewall-rules create retail-us-east1-to-us-west1 \
    --project=retail-prod \
    --network=retail-vpc \
    --direction=INGRESS \
    --priority=900 \
    --action=ALLOW \
    --rules=tcp:8080 \
    --source-ranges=10.20.0.0/14 \
    --target-tags=gke-retail-us-west1-node \
    --description='meshc: calls from us-east1 to us-west1: storefront/cart → catalog/catalog'

gcloud compute firewall-rules create retail-us-west1-to-us-east1 \
    --project=retail-prod \
    --network=retail-vpc \
    --direction=INGRESS \
    --priority=900 \
    --action=ALLOW \
    --rules=tcp:8080 \
    --source-ranges=10.16.0.0/14 \
    --target-tags=gke-retail-us-east1-node \
    --description='meshc: calls from us-west1 to us-east1: storefront/frontend → catalog/catalog, storefront/frontend → payments/checkout, storefront/frontend → storefront/cart'

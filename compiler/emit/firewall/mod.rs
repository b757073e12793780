//! The firewall rules, in two equivalent forms: Terraform JSON and a gcloud script.

mod gcloud;
mod terraform;

use super::Files;
use crate::plan::{Firewall, MeshSettings};

pub const TERRAFORM_FILE: &str = "firewall/firewall.tf.json";
pub const GCLOUD_FILE: &str = "firewall/firewall.sh";

pub fn emit(mesh: &MeshSettings, firewall: &Firewall) -> Files {
    Files::from([
        (TERRAFORM_FILE.to_string(), terraform::render(firewall)),
        (GCLOUD_FILE.to_string(), gcloud::render(mesh, firewall)),
    ])
}

pub use terraform::{ClusterFacts, TerraformFile};

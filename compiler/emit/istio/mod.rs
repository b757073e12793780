//! Typed models of the Istio custom resources that meshc emits.
//!
//! Field names and JSON shapes follow the Istio API reference (and the
//! `@kubernetes-models/istio` v3 JSON schemas that CI validates against).
//! Every optional field is skipped on serialize when unset or empty, and
//! defaulted on deserialize, so emitted YAML stays minimal and hand-written
//! manifests with extra or missing fields still load.

pub mod networking;
pub mod security;

/// Declare a top-level Istio object (`apiVersion`, `kind`, `metadata`, `spec`, in that order)
/// and its constructor, which sets `apiVersion` for the API version and `kind` to the type's
/// name. `$group` names the [`IstioApi`] method that gives the group's `apiVersion`.
macro_rules! istio_object {
    ($(#[$doc:meta])* $name:ident, $spec:ty, $group:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase", default)]
        pub struct $name {
            pub api_version: String,
            pub kind: String,
            pub metadata: ObjectMeta,
            pub spec: $spec,
        }

        impl $name {
            /// The `kind` of this object.
            pub const KIND: &'static str = stringify!($name);

            /// Builds the object with `apiVersion` and `kind` set for `api`.
            #[must_use]
            pub fn new(api: IstioApi, metadata: ObjectMeta, spec: $spec) -> Self {
                Self {
                    api_version: api.$group().to_owned(),
                    kind: Self::KIND.to_owned(),
                    metadata,
                    spec,
                }
            }
        }
    };
}
pub(crate) use istio_object;

/// The Istio CRD API version to emit (`v1` since Istio 1.22, `v1beta1` before).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum IstioApi {
    /// `networking.istio.io/v1` / `security.istio.io/v1`.
    #[default]
    V1,
    /// `networking.istio.io/v1beta1` / `security.istio.io/v1beta1`.
    V1Beta1,
}

impl IstioApi {
    /// The `apiVersion` for `networking.istio.io` kinds (VirtualService, DestinationRule).
    #[must_use]
    pub fn networking_api_version(self) -> &'static str {
        match self {
            IstioApi::V1 => "networking.istio.io/v1",
            IstioApi::V1Beta1 => "networking.istio.io/v1beta1",
        }
    }

    /// The `apiVersion` for `security.istio.io` kinds (PeerAuthentication, AuthorizationPolicy).
    #[must_use]
    pub fn security_api_version(self) -> &'static str {
        match self {
            IstioApi::V1 => "security.istio.io/v1",
            IstioApi::V1Beta1 => "security.istio.io/v1beta1",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::IstioApi;

    #[test]
    fn api_versions() {
        assert_eq!(
            IstioApi::V1.networking_api_version(),
            "networking.istio.io/v1"
        );
        assert_eq!(
            IstioApi::V1Beta1.networking_api_version(),
            "networking.istio.io/v1beta1"
        );
        assert_eq!(IstioApi::V1.security_api_version(), "security.istio.io/v1");
        assert_eq!(
            IstioApi::V1Beta1.security_api_version(),
            "security.istio.io/v1beta1"
        );
        assert_eq!(IstioApi::default(), IstioApi::V1);
    }
}

use crate::check::Context;
use crate::check::rule::{Check, rule};
use crate::diagnostics::Diagnostic;

rule! {
    /// An image without a tag or digest, or tagged `latest`.
    ///
    /// ## What it does
    /// Reads each service's `image` reference (`REGISTRY/PATH[:TAG][@DIGEST]`) and reports one
    /// that has neither a tag nor a digest, or whose tag is `latest`. A colon before the last
    /// `/` belongs to the registry's port (`registry:5000/app`), not to a tag. A digest pins the
    /// image whatever the tag says, so `app:latest@sha256:…` is not reported.
    ///
    /// ## Why is this bad?
    /// A reference without a tag means `latest`, and `latest` moves. meshc's Deployments pull
    /// on every start (`imagePullPolicy: Always`), so a pod restarted tomorrow may run other
    /// code than its neighbours under the same `version` label, and the clusters of a
    /// multi-cluster service drift apart one restart at a time. A rollback cannot name the
    /// code it goes back to. kube-linter (`latest-tag`) and checkov (CKV_K8S_14) flag the same.
    ///
    /// There is no fix: meshc cannot know which version was meant.
    ///
    /// ## Example
    /// ```kdl
    /// service "sample-producer" {
    ///     image "us-docker.pkg.dev/sample-proj/docker-repo/sample-producer:latest"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```kdl
    /// service "sample-producer" {
    ///     image "us-docker.pkg.dev/sample-proj/docker-repo/sample-producer:1.4.2"
    /// }
    /// ```
    "M0205" "image-tag" Warning Check::Model(check)
}

/// How an image reference names its version.
#[derive(Debug, PartialEq, Eq)]
enum Pin<'a> {
    Digest,
    Tag(&'a str),
    Nothing,
}

fn pin(image: &str) -> Pin<'_> {
    if image.contains('@') {
        return Pin::Digest;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.rsplit_once(':') {
        Some((_, tag)) if !tag.is_empty() => Pin::Tag(tag),
        _ => Pin::Nothing,
    }
}

fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for s in &cx.spec.services {
        let image = &s.image;
        if image.value.trim().is_empty() {
            continue; // a missing image is missing-key's
        }
        let (message, label) = match pin(&image.value) {
            Pin::Digest => continue,
            Pin::Tag(tag) if tag != "latest" => continue,
            Pin::Tag(_) => (
                format!(
                    "the image of `{}` is tagged `latest`, which moves with every push",
                    s.name.value
                ),
                "`latest` is not a version",
            ),
            Pin::Nothing => (
                format!(
                    "the image of `{}` has no tag or digest, so every pull takes whatever `latest` is then",
                    s.name.value
                ),
                "no tag",
            ),
        };
        out.push(
            RULE.diag(message)
                .at(image.span.clone(), label)
                .help("pin the image to a version tag (`…:1.4.2`) or a digest (`…@sha256:…`)"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tags_and_digests() {
        assert_eq!(pin("nginx"), Pin::Nothing);
        assert_eq!(pin("nginx:"), Pin::Nothing);
        assert_eq!(pin("nginx:1.25"), Pin::Tag("1.25"));
        assert_eq!(pin("registry:5000/team/app"), Pin::Nothing);
        assert_eq!(pin("registry:5000/team/app:latest"), Pin::Tag("latest"));
        assert_eq!(pin("app:latest@sha256:abc"), Pin::Digest);
        assert_eq!(pin("app@sha256:abc"), Pin::Digest);
    }
}

//! VirtualService: the client-side policy (timeouts, retries) of the callers in this cluster.

use super::istio::networking::{
    Destination, HttpMatchRequest, HttpRetry, HttpRoute, HttpRouteDestination, PortSelector,
    VirtualService, VirtualServiceSpec,
};
use super::{ClusterContext, Object, app_metadata, istio_api, object, selector};
use crate::plan::{CallPolicy, ClientPolicy, PlanPort};

pub fn emit(cx: &ClusterContext, out: &mut Vec<Object>) {
    for c in &cx.cluster.clients {
        let http: Vec<&PlanPort> = c.ports.iter().filter(|p| p.is_http()).collect();
        if http.is_empty() {
            continue; // timeouts and retries are HTTP route settings; TCP has none
        }
        let spec = VirtualServiceSpec {
            hosts: vec![c.host.clone()],
            http: routes(c, &http),
            ..Default::default()
        };
        let meta = app_metadata(&c.name, &c.namespace, Some(&c.reason));
        out.push(object(
            "VirtualService",
            Some(&c.namespace),
            &c.name,
            &VirtualService::new(istio_api(cx.mesh), meta, spec),
        ));
    }
}

/// Per HTTP port (when there are several, routes match and select the port): one route per
/// caller whose policy differs, then the default route.
fn routes(c: &ClientPolicy, ports: &[&PlanPort]) -> Vec<HttpRoute> {
    let many = ports.len() > 1;
    let mut routes = Vec::new();
    for port in ports {
        let port_number = many.then_some(u32::from(port.number));
        for r in &c.routes {
            routes.push(route(
                c,
                format!("{}-{}{}", r.caller, r.caller_namespace, suffix(port_number)),
                vec![HttpMatchRequest {
                    source_labels: selector(&r.caller),
                    source_namespace: Some(r.caller_namespace.clone()),
                    port: port_number,
                }],
                port_number,
                &r.policy,
            ));
        }
        let matches = match port_number {
            Some(p) => vec![HttpMatchRequest {
                port: Some(p),
                ..Default::default()
            }],
            None => Vec::new(),
        };
        routes.push(route(
            c,
            format!("default{}", suffix(port_number)),
            matches,
            port_number,
            &c.default_route,
        ));
    }
    routes
}

fn suffix(port: Option<u32>) -> String {
    port.map(|p| format!("-{p}")).unwrap_or_default()
}

fn route(
    c: &ClientPolicy,
    name: String,
    matches: Vec<HttpMatchRequest>,
    port: Option<u32>,
    policy: &CallPolicy,
) -> HttpRoute {
    HttpRoute {
        name: Some(name),
        r#match: matches,
        route: vec![HttpRouteDestination {
            destination: Destination {
                host: c.host.clone(),
                port: port.map(|number| PortSelector {
                    number: Some(number),
                }),
                ..Default::default()
            },
            ..Default::default()
        }],
        timeout: policy.timeout.as_ref().map(|t| t.text.clone()),
        retries: policy.retries.as_ref().map(|r| HttpRetry {
            attempts: i32::try_from(r.attempts).unwrap_or(i32::MAX),
            per_try_timeout: r.per_try_timeout.as_ref().map(|t| t.text.clone()),
            retry_on: r.on.clone(),
        }),
    }
}

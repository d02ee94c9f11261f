//! Builds the actix application: routes, app data, middleware, the OpenAPI document and the
//! docs UI. `main` and the tests both go through `server`.

use std::net::TcpListener;

use actix_web::body::MessageBody;
use actix_web::dev::{ResourceDef, Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use utoipa::openapi::OpenApi;
use utoipa_actix_web::{AppExt, UtoipaApp, scope};
use utoipa_swagger_ui::SwaggerUi;

use crate::error::{ApiError, ErrorCode};
use crate::http::auth::AuthKeys;
use crate::state::AppState;
use crate::telemetry::{Metrics, observe};
use crate::{http, openapi};

/// Every operation of the contract, registered so that utoipa collects its path and schemas.
fn register<T>(app: UtoipaApp<T>) -> UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.service(http::ops::healthz)
        .service(http::ops::readyz)
        .service(http::ops::metrics)
        .service(scope("/v1").configure(http::configure))
}

/// The OpenAPI document, generated from the handlers.
pub fn openapi_document() -> OpenApi {
    let (_, doc) = register(App::new().into_utoipa_app().openapi(openapi::base())).split_for_parts();
    openapi::finish(doc)
}

/// The full document as pretty JSON, as committed under `openapi/openapi.json`.
pub fn openapi_json() -> String {
    let mut s = openapi_document().to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}

/// Paths and their methods, to answer 405 (with `Allow`) rather than 404 for a known path.
struct RouteTable(Vec<(ResourceDef, Vec<String>)>);

impl RouteTable {
    fn of(doc: &OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("PUT", item.put.is_some()),
                    ("POST", item.post.is_some()),
                    ("DELETE", item.delete.is_some()),
                    ("PATCH", item.patch.is_some()),
                ];
                let allow = methods
                    .iter()
                    .filter(|(_, on)| *on)
                    .map(|(m, _)| m.to_string())
                    .collect();
                (ResourceDef::new(path.as_str()), allow)
            })
            .collect();
        Self(routes)
    }

    fn allowed(&self, path: &str) -> Option<&[String]> {
        self.0
            .iter()
            .find(|(def, _)| def.is_match(path))
            .map(|(_, m)| m.as_slice())
    }
}

/// Unknown route: 404; known path, other method: 405. Both problem+json.
async fn fallback(req: HttpRequest, routes: web::Data<RouteTable>) -> Result<HttpResponse, ApiError> {
    Err(match routes.allowed(req.path()) {
        Some(allow) => ApiError::MethodNotAllowed { allow: allow.to_vec() },
        None => ApiError::NotFound(ErrorCode::RouteNotFound),
    })
}

/// The application with all its parts.
pub fn build(
    state: web::Data<AppState>,
    keys: web::Data<AuthKeys>,
    metrics: web::Data<Metrics>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, doc) = register(
        App::new()
            .into_utoipa_app()
            .openapi(openapi::base())
            .app_data(state)
            .app_data(keys)
            .app_data(metrics)
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                ApiError::BadRequest {
                    code: ErrorCode::InvalidQuery,
                    detail: e.to_string(),
                }
                .into()
            }))
            .app_data(web::PathConfig::default().error_handler(|e, _| {
                ApiError::BadRequest {
                    code: ErrorCode::InvalidPath,
                    detail: e.to_string(),
                }
                .into()
            })),
    )
    .split_for_parts();
    let doc = openapi::finish(doc);
    let routes = web::Data::new(RouteTable::of(&doc));
    app.app_data(routes)
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", doc))
        .route(
            "/docs",
            web::get().to(|| async {
                HttpResponse::PermanentRedirect()
                    .insert_header(("Location", "/docs/"))
                    .finish()
            }),
        )
        .default_service(web::to(fallback))
        .wrap(from_fn(crate::http::extract::reject_control_characters_in_query))
        .wrap(from_fn(observe))
}

/// Starts serving on `listener`. Graceful shutdown: on SIGINT or SIGTERM the server stops
/// accepting, lets requests in flight finish (up to 30 s), then exits.
pub fn server(listener: TcpListener, state: AppState, keys: AuthKeys) -> std::io::Result<Server> {
    let state = web::Data::new(state);
    let keys = web::Data::new(keys);
    let metrics = web::Data::new(Metrics::default());
    let server = HttpServer::new(move || build(state.clone(), keys.clone(), metrics.clone()))
        .shutdown_timeout(30)
        .listen(listener)?
        .run();
    Ok(server)
}

//! The OpenAPI 3.1 document of the API, generated from the types.
//!
//! The document's structure (paths, operations, responses) is built with utoipa's object
//! model; every body's schema is the schemars schema of the Rust type the handler takes or
//! returns — the same derivation `ironclad schema --output …` publishes — collected into
//! `components/schemas`. So a field added to a report appears here without anyone writing it.

use std::sync::OnceLock;

use schemars::generate::SchemaSettings;
use serde_json::Value;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::{
    Content, InfoBuilder, OpenApiBuilder, PathsBuilder, Ref, Required, ResponseBuilder, ResponsesBuilder,
};

use crate::api::{
    AttributeRequest, CompareRequest, DiscoverRequest, Health, ObligationsRequest, PowerRequest, SensitivityRequest,
    ShowRequest, SimulateRequest, SimulateResponse, SpecRequest,
};
use crate::error::ErrorBody;
use crate::library::{LibraryListing, LibraryText};

/// The document as JSON text (built once).
pub fn document() -> String {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| serde_json::to_string_pretty(&build()).unwrap_or_default()).clone()
}

/// Errors each kind of operation may answer (`docs/server.md`).
const POST_ERRORS: &[(&str, &str)] = &[
    ("400", "malformed JSON, a missing or unknown field, an unknown variant, party, commitment or parameter"),
    ("408", "the body did not arrive within 30 s"),
    ("413", "the body is larger than the server's --max-body (or its Content-Length says so)"),
    ("415", "the body is not sent as application/json"),
    (
        "422",
        "the spec or scenario has errors (`invalid_input`, with diagnostics), the request asks for more than the server's limits (`too_expensive`), or the input cannot answer it (`unservable`: no `armed_attack` event, a metric that does not vary)",
    ),
    ("500", "a bug: the server could not finish a request it accepted (`internal`)"),
    ("504", "the request ran past the server's deadline and was cancelled"),
];

struct Op {
    method: HttpMethod,
    path: &'static str,
    id: &'static str,
    summary: &'static str,
    request: Option<&'static str>,
    response: &'static str,
    path_id: bool,
    busy: bool,
}

const OPS: &[Op] = &[
    Op {
        method: HttpMethod::Get,
        path: "/api/health",
        id: "health",
        summary: "Is the server up",
        request: None,
        response: "Health",
        path_id: false,
        busy: false,
    },
    Op {
        method: HttpMethod::Get,
        path: "/api/library",
        id: "library",
        summary: "The frameworks and scenarios this server offers",
        request: None,
        response: "LibraryListing",
        path_id: false,
        busy: false,
    },
    Op {
        method: HttpMethod::Get,
        path: "/api/library/frameworks/{id}",
        id: "libraryFramework",
        summary: "A library framework's text",
        request: None,
        response: "LibraryText",
        path_id: true,
        busy: false,
    },
    Op {
        method: HttpMethod::Get,
        path: "/api/library/scenarios/{id}",
        id: "libraryScenario",
        summary: "A library scenario's text",
        request: None,
        response: "LibraryText",
        path_id: true,
        busy: false,
    },
    Op {
        method: HttpMethod::Post,
        path: "/api/check",
        id: "check",
        summary: "Diagnostics of a spec (and a scenario against it), as `ironclad check --format json`",
        request: Some("SpecRequest"),
        response: "CheckReport",
        path_id: false,
        busy: false,
    },
    Op {
        method: HttpMethod::Post,
        path: "/api/show",
        id: "show",
        summary: "What a framework promises, as `ironclad show --format json`",
        request: Some("ShowRequest"),
        response: "ShowReport",
        path_id: false,
        busy: false,
    },
    Op {
        method: HttpMethod::Post,
        path: "/api/obligations",
        id: "obligations",
        summary: "Who must do what on a scenario, as `ironclad obligations --format json`",
        request: Some("ObligationsRequest"),
        response: "ObligationsReport",
        path_id: false,
        busy: false,
    },
    Op {
        method: HttpMethod::Post,
        path: "/api/simulate",
        id: "simulate",
        summary: "A what-if simulation, as `ironclad simulate --format json`",
        request: Some("SimulateRequest"),
        response: "SimulateResponse",
        path_id: false,
        busy: true,
    },
    Op {
        method: HttpMethod::Post,
        path: "/api/attribute",
        id: "attribute",
        summary: "Shapley values of the guarantors, leave-one-out and interactions, as `ironclad attribute --format json`",
        request: Some("AttributeRequest"),
        response: "AttributeReport",
        path_id: false,
        busy: true,
    },
    Op {
        method: HttpMethod::Post,
        path: "/api/power",
        id: "power",
        summary: "Voting power of a decision body, as `ironclad power --format json`",
        request: Some("PowerRequest"),
        response: "PowerReport",
        path_id: false,
        busy: false,
    },
    Op {
        method: HttpMethod::Post,
        path: "/api/discover",
        id: "discover",
        summary: "PRIM boxes of the runs in which the guarantee fails, fitted and held out, as `ironclad discover --format json`",
        request: Some("DiscoverRequest"),
        response: "DiscoverReport",
        path_id: false,
        busy: true,
    },
    Op {
        method: HttpMethod::Post,
        path: "/api/sensitivity",
        id: "sensitivity",
        summary: "Sobol' indices or Morris screening over the uncertain parameters, as `ironclad sensitivity --format json`",
        request: Some("SensitivityRequest"),
        response: "SensitivityReport",
        path_id: false,
        busy: true,
    },
    Op {
        method: HttpMethod::Post,
        path: "/api/compare",
        id: "compare",
        summary: "Frameworks (library ids, spec texts, `with` overlays) on the same scenarios with common random numbers: paired differences and pivotal clauses, as `ironclad compare --format json`",
        request: Some("CompareRequest"),
        response: "CompareReport",
        path_id: false,
        busy: true,
    },
    Op {
        method: HttpMethod::Get,
        path: "/api/openapi.json",
        id: "openapi",
        summary: "This document: the OpenAPI 3.1 description of the API",
        request: None,
        response: "OpenApiDocument",
        path_id: false,
        busy: false,
    },
];

fn build() -> Value {
    let mut paths = PathsBuilder::new();
    for op in OPS {
        let mut responses = ResponsesBuilder::new().response(
            "200",
            ResponseBuilder::new()
                .description(op.summary)
                .content("application/json", Content::new(Some(Ref::from_schema_name(op.response)))),
        );
        let errors: Vec<(&str, &str)> = if op.request.is_some() {
            POST_ERRORS.to_vec()
        } else if op.path_id {
            vec![("404", "the library has no entry with this id")]
        } else {
            Vec::new()
        };
        for (status, why) in
            errors.into_iter().chain(op.busy.then_some(("503", "as many simulations as the server allows are running")))
        {
            responses = responses.response(
                status,
                ResponseBuilder::new()
                    .description(why)
                    .content("application/json", Content::new(Some(Ref::from_schema_name("ErrorBody")))),
            );
        }
        // Every route answers these in the error shape too (docs/server.md, Errors).
        responses = responses.response(
            "default",
            ResponseBuilder::new()
                .description("any other error: 404 `not_found` (no such endpoint), 405 `method_not_allowed`")
                .content("application/json", Content::new(Some(Ref::from_schema_name("ErrorBody")))),
        );
        let mut operation =
            OperationBuilder::new().operation_id(Some(op.id)).summary(Some(op.summary)).responses(responses);
        if let Some(request) = op.request {
            operation = operation.request_body(Some(
                RequestBodyBuilder::new()
                    .content("application/json", Content::new(Some(Ref::from_schema_name(request))))
                    .required(Some(Required::True))
                    .build(),
            ));
        }
        if op.path_id {
            operation = operation.parameter(
                ParameterBuilder::new()
                    .name("id")
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .description(Some("the entry's id: its file stem"))
                    .schema(Some(utoipa::openapi::schema::Object::with_type(utoipa::openapi::schema::Type::String))),
            );
        }
        paths = paths.path(op.path, PathItem::new(op.method.clone(), operation));
    }
    let info = InfoBuilder::new()
        .title("ironclad")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "Security guarantees as code: check, show, obligations and what-if simulations over a spec sent in \
             the request. Every report carries `schema_version`. Limits and errors: docs/server.md.",
        ))
        .build();
    let doc = OpenApiBuilder::new().info(info).paths(paths.build()).build();
    let mut value = serde_json::to_value(&doc).unwrap_or(Value::Null);
    value["openapi"] = Value::String("3.1.0".into());
    value["components"] = serde_json::json!({ "schemas": schemas() });
    value
}

/// Every body schema, and the definitions they refer to, under `components/schemas`.
fn schemas() -> serde_json::Map<String, Value> {
    let mut generator = SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = "/components/schemas/".into();
            s.meta_schema = None;
        })
        .into_generator();
    let named = [
        ("Health", generator.subschema_for::<Health>()),
        ("LibraryListing", generator.subschema_for::<LibraryListing>()),
        ("LibraryText", generator.subschema_for::<LibraryText>()),
        ("SpecRequest", generator.subschema_for::<SpecRequest>()),
        ("ShowRequest", generator.subschema_for::<ShowRequest>()),
        ("ObligationsRequest", generator.subschema_for::<ObligationsRequest>()),
        ("SimulateRequest", generator.subschema_for::<SimulateRequest>()),
        ("CheckReport", generator.subschema_for::<ironclad::check::CheckReport>()),
        ("ShowReport", generator.subschema_for::<ironclad::show::ShowReport>()),
        ("ObligationsReport", generator.subschema_for::<ironclad::obligations::ObligationsReport>()),
        ("SimulateResponse", generator.subschema_for::<SimulateResponse>()),
        ("AttributeRequest", generator.subschema_for::<AttributeRequest>()),
        ("AttributeReport", generator.subschema_for::<ironclad::attribute::AttributeReport>()),
        ("PowerRequest", generator.subschema_for::<PowerRequest>()),
        ("PowerReport", generator.subschema_for::<ironclad::power::PowerReport>()),
        ("DiscoverRequest", generator.subschema_for::<DiscoverRequest>()),
        ("DiscoverReport", generator.subschema_for::<ironclad::discover::DiscoverReport>()),
        ("SensitivityRequest", generator.subschema_for::<SensitivityRequest>()),
        ("SensitivityReport", generator.subschema_for::<ironclad::sensitivity::SensitivityReport>()),
        ("CompareRequest", generator.subschema_for::<CompareRequest>()),
        ("CompareReport", generator.subschema_for::<ironclad::compare::CompareReport>()),
        ("ErrorBody", generator.subschema_for::<ErrorBody>()),
    ];
    let mut out = generator.take_definitions(true);
    out.insert(
        "OpenApiDocument".into(),
        serde_json::json!({ "type": "object", "description": "An OpenAPI 3.1 document (this one)." }),
    );
    for (name, schema) in named {
        // The operations name bodies by these names; schemars names a definition after its
        // type, which is usually the same name, and otherwise this is an alias to it.
        let value = schema.to_value();
        let is_self = value.get("$ref").and_then(Value::as_str) == Some(&format!("#/components/schemas/{name}"));
        if !is_self {
            out.insert(name.to_string(), value);
        }
    }
    out
}

/// For tests: the document as a value.
pub fn value() -> Value {
    build()
}

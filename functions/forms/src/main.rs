//! Lambda entry point.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tayori_runtime::init_tracing();
    lambda_http::run(tayori_forms::router()).await
}

//! Lambda entry point.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tayori_runtime::init_tracing();
    tayori_web::LambdaApp::new(tayori_reports::router())
        .run()
        .await
}

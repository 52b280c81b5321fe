// Placeholder host: the service issue replaces this with the Orleans silo + HTTP API.
var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
app.Run();

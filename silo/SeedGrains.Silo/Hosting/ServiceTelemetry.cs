using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SeedGrains.Grains.Telemetry;

namespace SeedGrains.Silo.Hosting;

/// <summary>
/// OpenTelemetry for the silo: the service's own meter and activity source (<see cref="SeedGrainsMetrics"/>), ASP.NET
/// Core's HTTP metrics and request spans, and Orleans' grain-call spans, so that a trace runs from the HTTP request
/// through the session grain to the model worker. Metrics are scraped at <c>/metrics</c> (Prometheus text format;
/// operator key, or loopback on embedded defaults); both metrics and traces also go over OTLP when the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
internal static class ServiceTelemetry
{
    public const string MetricsPath = "/metrics";

    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])
                   || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"));
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("seedgrains-silo"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(SeedGrainsMetrics.Name)
                    .AddAspNetCoreInstrumentation()
                    .AddPrometheusExporter();
                if (otlp) metrics.AddOtlpExporter();
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(SeedGrainsMetrics.Name)
                    .AddSource("Microsoft.Orleans.Runtime")
                    .AddSource("Microsoft.Orleans.Application")
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments(MetricsPath));
                if (otlp) tracing.AddOtlpExporter();
            });
    }

    public static void Map(WebApplication app) => app.MapPrometheusScrapingEndpoint(MetricsPath);
}

using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Dashboard;
using SeedGrains.Silo.Api.OpenAi;
using SeedGrains.Silo.Hosting;
using SeedGrains.Silo.Playground;

namespace SeedGrains.Silo.Api;

/// <summary>The HTTP side of the host: its services, and the pipeline from security headers to the routes.</summary>
public static class HttpApiSetup
{
    public static IServiceCollection AddSeedGrainsHttp(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<HostLimits>(configuration.GetSection(HostLimits.Section));
        services.Configure<DashboardAccessOptions>(configuration.GetSection(DashboardAccessOptions.Section));
        // Loopback without a key only on embedded defaults: a silo on PostgreSQL is meant to be reached from elsewhere.
        var embedded = string.IsNullOrWhiteSpace(configuration["Postgres:ConnectionString"]);
        services.PostConfigure<DashboardAccessOptions>(o => o.AllowLoopback ??= embedded);
        var operators = OperatorOptions.Read(configuration);
        services.Configure<OperatorOptions>(o => o.OperatorKeys = operators.OperatorKeys);
        services.Configure<TenantDefaultQuotasOptions>(configuration.GetSection(TenantDefaultQuotasOptions.Section));
        services.AddSingleton<OperatorKeys>();
        services.AddSingleton<OperatorAuthenticator>();
        services.AddSingleton<AdminTenantDeletion>();
        var origins = CrossOriginOptions.ReadAllowedOrigins(configuration);
        services.Configure<CrossOriginOptions>(o => o.AllowedOrigins = origins);
        services.AddCors(o => o.AddDefaultPolicy(policy => CrossOrigin.Configure(policy, origins)));
        services.AddProblemDetails();
        // The same JSON rules as the bodies are read with (ApiJson): the OpenAPI document is generated from these, so enums
        // are strings and integers are integers there, as they are on the wire.
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Encoder = ApiJson.Options.Encoder;
            o.SerializerOptions.NumberHandling = ApiJson.Options.NumberHandling;
            foreach (var converter in ApiJson.Options.Converters) o.SerializerOptions.Converters.Add(converter);
        });
        services.AddOpenApi(Docs.OpenApiDocumentRules.Configure);
        services.AddSingleton<UnknownKeyCache>();
        services.AddSingleton<ApiKeyAuthenticator>();
        services.AddSingleton<RateLimitAdmission>();
        services.Configure<AuthFailureThrottleOptions>(configuration.GetSection(AuthFailureThrottleOptions.Section));
        services.AddSingleton<AuthFailureThrottle>();
        services.Configure<SeedGrains.Grains.Usage.UsageOptions>(configuration.GetSection(SeedGrains.Grains.Usage.UsageOptions.Section));
        // Tests register their own clock after this; the last registration wins.
        services.TryAddSingleton(new ApiClock(TimeProvider.System));
        services.AddSingleton(sp => new ServedSince(sp.GetRequiredService<ApiClock>().Time));
        return services;
    }

    public static WebApplication UseSeedGrainsHttp(this WebApplication app)
    {
        // First: every answer, a throttled one included, carries its request id.
        app.UseMiddleware<RequestIds>();
        app.UseMiddleware<SecurityHeaders>();
        // Before the error handling, so that a browser may read the errors too.
        if (app.Services.GetRequiredService<IOptions<CrossOriginOptions>>().Value.AllowedOrigins.Count > 0) app.UseCors();
        // Outside the error handling: it sees final statuses (401s to throttle, refusals to meter).
        app.UseMiddleware<RateLimitMiddleware>();
        app.UseMiddleware<ProblemDetailsMiddleware>();
        app.UseStatusCodePages(StatusCodeProblems.Write);
        app.UseMiddleware<DashboardAccess>();
        app.MapGet("/healthz", Health.Get).WithName("Health").WithTags("Service")
            .WithSummary("Liveness").WithDescription("200 once the silo serves: its model and devices.").Produces<HealthView>();
        app.MapMethods("/healthz", [HttpMethods.Head], Health.Get).WithName("HealthHead").WithTags("Service")
            .WithSummary("Liveness, status only").WithDescription("200 once the silo serves, without a body.").Produces(200);
        SessionEndpoints.Map(app);
        JobEndpoints.Map(app);
        CompletionEndpoints.Map(app);
        ModelEndpoints.Map(app);
        UsageEndpoints.Map(app);
        AdminEndpoints.Map(app);
        app.MapOpenApi();
        app.MapOrleansDashboard(routePrefix: DashboardAccess.Path);
        PlaygroundPage.Map(app);
        return app;
    }
}

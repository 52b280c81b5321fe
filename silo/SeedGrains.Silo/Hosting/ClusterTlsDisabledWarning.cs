namespace SeedGrains.Silo.Hosting;

/// <summary>Says at every start that the cluster ports of a durable silo are unauthenticated (<c>Orleans:Tls:Mode=Disabled</c>).</summary>
internal sealed class ClusterTlsDisabledWarning(ILogger<ClusterTlsDisabledWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogWarning(
            "Orleans:Tls:Mode=Disabled: the silo and gateway ports accept anyone who can reach them, without a certificate; any such process can call any grain");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

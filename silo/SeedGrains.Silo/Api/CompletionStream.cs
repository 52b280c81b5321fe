using System.Text.Json;

namespace SeedGrains.Silo.Api;

/// <summary>
/// A streamed completion: every choice's pieces as server-sent events in the order they become final (chunks carry the
/// choice index), then, with `stream_options.include_usage`, a usage chunk without choices, then `[DONE]`. Once the
/// first event is out no status can be sent, so every failure (deadline, a failed session, an error) ends the stream
/// the same well-formed way: an error event, then `[DONE]`. A client that went away gets nothing more.
/// </summary>
internal static class CompletionStream
{
    public static async Task Send(Completion c, bool includeUsage, string timedOut, ILogger logger, CancellationToken deadline, CancellationToken cancellationToken)
    {
        var response = c.Context.Response;
        ServerSentEvents.Start(response);
        (string Message, string Type)? failure = null;
        using var stopAll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            // One writer at a time: the choices run side by side but events must not interleave.
            using var writer = new SemaphoreSlim(1, 1);
            await Task.WhenAll(c.Runs.Select(run => SendChoice(c, run, writer, stopAll)));
        }
        catch (OperationCanceledException) when (c.Context.RequestAborted.IsCancellationRequested)
        {
            await CompletionEndpoints.CancelQuietly(c.Runs, logger);
            return;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            await CompletionEndpoints.CancelQuietly(c.Runs, logger);
            failure = (timedOut, "timeout");
        }
        catch (CompletionFailedException ex)
        {
            await CompletionEndpoints.CancelQuietly(c.Runs, logger);
            failure = (ex.Message, "server_error");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Streamed completion {Id} failed (request {RequestId})", c.Id, c.Context.TraceIdentifier);
            await CompletionEndpoints.CancelQuietly(c.Runs, logger);
            failure = ($"The completion failed; the server log has the details under request id {c.Context.TraceIdentifier}.", "server_error");
        }
        if (failure is { } f)
            await ServerSentEvents.WriteRaw(response, JsonSerializer.Serialize(new { error = new { message = f.Message, type = f.Type } }));
        else if (includeUsage)
            await ServerSentEvents.WriteRaw(response, CompletionEndpoints.Chunk(c, [], c.Usage()));
        await ServerSentEvents.WriteRaw(response, "[DONE]");
    }

    /// <summary>One choice's pieces; the first choice to fail stops the others (the stream ends with its error).</summary>
    private static async Task SendChoice(Completion c, CompletionChoiceRun run, SemaphoreSlim writer, CancellationTokenSource stopAll)
    {
        try
        {
            await foreach (var piece in run.Run(stopAll.Token))
            {
                if (piece.Text.Length == 0 && piece.FinishReason is null) continue;
                await writer.WaitAsync(stopAll.Token);
                try
                {
                    await ServerSentEvents.WriteRaw(c.Context.Response, CompletionEndpoints.Chunk(c, [new CompletionChoice(piece.Text, piece.Index, null, piece.FinishReason)]));
                }
                finally
                {
                    writer.Release();
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await stopAll.CancelAsync();
            throw;
        }
    }
}

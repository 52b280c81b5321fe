using System.Text.Json;

namespace SeedGrains.Silo.Api;

/// <summary>Minimal text/event-stream writer: one event per call, flushed at once.</summary>
internal static class ServerSentEvents
{
    public static void Start(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
    }

    public static async Task Write<T>(HttpResponse response, T data, string? eventName = null, string? id = null, JsonSerializerOptions? options = null)
    {
        await WriteRaw(response, JsonSerializer.Serialize(data, options ?? ApiJson.Options), eventName, id);
    }

    public static async Task WriteRaw(HttpResponse response, string data, string? eventName = null, string? id = null)
    {
        var frame = (eventName is null ? "" : $"event: {eventName}\n") + (id is null ? "" : $"id: {id}\n") + $"data: {data}\n\n";
        await response.WriteAsync(frame, response.HttpContext.RequestAborted);
        await response.Body.FlushAsync(response.HttpContext.RequestAborted);
    }
}

namespace SeedGrains.Silo.Api;

/// <summary>An HTTP-layer error with its status, turned into problem details by <see cref="ProblemDetailsMiddleware"/>.</summary>
public sealed class ApiProblemException : Exception
{
    public ApiProblemException() { }

    public ApiProblemException(string message) : base(message) { }

    public ApiProblemException(string message, Exception innerException) : base(message, innerException) { }

    public ApiProblemException(int status, string title, string detail) : base(detail)
    {
        Status = status;
        Title = title;
    }

    public int Status { get; } = StatusCodes.Status400BadRequest;

    public string Title { get; } = "Bad request";

    /// <summary>The request field the problem is about, where there is one (OpenAI's error body names it as `param`).</summary>
    public string? Param { get; init; }
}

using SeedGrains.Abstractions.Errors;

namespace SeedGrains.Silo.Api;

/// <summary>The admin API's view of grain errors: a tenant that exists is 409, one that does not is 404, a rejected value is 400.</summary>
internal static class AdminGrainCalls
{
    public static async Task<T> Run<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (TenantExistsException e)
        {
            throw new ApiProblemException(StatusCodes.Status409Conflict, "Tenant exists", e.Message);
        }
        catch (TenantNotFoundException e)
        {
            throw new ApiProblemException(StatusCodes.Status404NotFound, "Not found", e.Message);
        }
        catch (ArgumentException e)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "Invalid request", e.Message.Split(" (Parameter")[0]);
        }
    }

    public static Task Run(Func<Task> call) => Run(async () =>
    {
        await call();
        return true;
    });
}

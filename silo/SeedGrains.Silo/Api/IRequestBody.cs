namespace SeedGrains.Silo.Api;

/// <summary>
/// A JSON request body that checks what the deserializer lets through: `null` where a value is required (a null
/// string, a null list item). Throws <see cref="ApiProblemException"/> 400 naming the field.
/// </summary>
internal interface IRequestBody
{
    void Validate();
}

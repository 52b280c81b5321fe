using System.Security.Cryptography;
using System.Text;

namespace SeedGrains.Abstractions.Tenants;

/// <summary>
/// SHA-256 of an API key as lower-case hex. Unsalted on purpose: keys are long random secrets, and the hash must be
/// a lookup key.
/// </summary>
public static class ApiKeyHash
{
    public static string Of(string apiKey) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));

    /// <summary>A fresh random key (256 bits, URL-safe).</summary>
    public static string NewKey() => "sg_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

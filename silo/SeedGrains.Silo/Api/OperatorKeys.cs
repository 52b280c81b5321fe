using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using SeedGrains.Abstractions.Tenants;

namespace SeedGrains.Silo.Api;

/// <summary>
/// The operator keys, held only as SHA-256 hashes. A presented key is hashed and compared with every hash in constant
/// time, so neither the comparison nor the number of keys tells an attacker how close a guess came.
/// </summary>
internal sealed class OperatorKeys
{
    private const string HashPrefix = "sha256:";
    private readonly byte[][] _hashes;

    public OperatorKeys(IOptions<OperatorOptions> options)
    {
        _hashes = options.Value.OperatorKeys.Select(ToHash).ToArray();
    }

    public bool Configured => _hashes.Length > 0;

    public bool Matches(string? presented)
    {
        if (string.IsNullOrEmpty(presented) || presented.Length > 512) return false;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var match = false;
        foreach (var candidate in _hashes) match |= CryptographicOperations.FixedTimeEquals(hash, candidate);
        return match;
    }

    private static byte[] ToHash(string configured)
    {
        if (!configured.StartsWith(HashPrefix, StringComparison.OrdinalIgnoreCase))
            return Convert.FromHexString(ApiKeyHash.Of(configured));
        var hex = configured[HashPrefix.Length..];
        try
        {
            var bytes = Convert.FromHexString(hex);
            if (bytes.Length == 32) return bytes;
        }
        catch (FormatException)
        {
        }
        throw new Hosting.HostConfigurationException($"{OperatorOptions.Section}:OperatorKeys has a '{HashPrefix}' value that is not 64 hex digits.");
    }
}

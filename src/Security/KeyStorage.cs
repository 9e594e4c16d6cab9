using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;

namespace CommerceManager.Security;

public static class KeyStorage
{
    /// <summary>
    /// Data Protection keys (sign-in cookies, antiforgery, reset tokens, and the seal on the API signing key and provider
    /// secrets) live beside the SQLite database, or in the PostgreSQL database so every instance shares them. With
    /// <c>DataProtection__CertificatePath</c> (a PKCS#12 file, password in <c>DataProtection__CertificatePassword</c>)
    /// the keys are encrypted at rest, so a copy of <c>data/</c> alone unlocks nothing: the production setting.
    /// </summary>
    public static IServiceCollection AddKeyStorage(this IServiceCollection services, IConfiguration config, string contentRoot)
    {
        var builder = services.AddDataProtection().SetApplicationName("CommerceManager");
        string path;
        if (Data.DatabaseSetup.ProviderOf(config) == Data.DatabaseProvider.Postgres)
        {
            // In the database every instance shares (and its backups hold).
            builder.PersistKeysToDbContext<Data.PostgresDbContext>();
            path = "the database (DataProtectionKeys table)";
        }
        else
        {
            path = Path.GetFullPath(config["DataProtection:KeysPath"] ?? "data/keys", contentRoot);
            builder.PersistKeysToFileSystem(new DirectoryInfo(path));
        }
        var certificatePath = config["DataProtection:CertificatePath"];
        if (!string.IsNullOrWhiteSpace(certificatePath))
        {
            var certificate = LoadCertificate(Path.GetFullPath(certificatePath, contentRoot), config["DataProtection:CertificatePassword"]);
            // Also accepted for reading, so keys written under it stay readable when a later certificate is added.
            builder.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
        }
        services.AddSingleton(new KeyProtection(path, !string.IsNullOrWhiteSpace(certificatePath),
            InDatabase: Data.DatabaseSetup.ProviderOf(config) == Data.DatabaseProvider.Postgres));
        return services;
    }

    private static X509Certificate2 LoadCertificate(string file, string? password)
    {
        try
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(file, password, X509KeyStorageFlags.EphemeralKeySet);
            if (!certificate.HasPrivateKey)
            {
                throw new InvalidOperationException($"The Data Protection certificate {file} has no private key: keys sealed with it could never be read back.");
            }
            return certificate;
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"Could not load the Data Protection certificate {file} (DataProtection__CertificatePath): {ex.Message} " +
                "Check the path, that the file is a PKCS#12 (.pfx) with its private key, and DataProtection__CertificatePassword.", ex);
        }
    }

    /// <summary>Says once, at start-up, when the keys lie unencrypted on disk outside Development.</summary>
    public static void WarnIfUnprotected(IServiceProvider services, IHostEnvironment? environment, ILogger log)
    {
        var protection = services.GetRequiredService<KeyProtection>();
        if (!protection.Encrypted && environment is not null && !environment.IsDevelopment())
        {
            log.LogWarning("Data Protection keys in {Path} are stored unencrypted: anyone with a copy of them can mint API tokens and read " +
                "provider secrets. Set DataProtection__CertificatePath (and DataProtection__CertificatePassword) to encrypt them; see docs/security.md.",
                protection.Path);
        }
    }
}

/// <summary>Where the Data Protection keys are (a folder, or the database on PostgreSQL) and whether they are encrypted at rest.</summary>
public sealed record KeyProtection(string Path, bool Encrypted, bool InDatabase = false);

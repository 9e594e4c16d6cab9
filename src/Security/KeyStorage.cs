using Microsoft.AspNetCore.DataProtection;

namespace CommerceManager.Security;

public static class KeyStorage
{
    /// <summary>
    /// Data Protection keys (sign-in cookies, antiforgery, reset tokens) live beside the database, so restarts
    /// keep staff signed in. Several instances must share this folder.
    /// </summary>
    public static IServiceCollection AddKeyStorage(this IServiceCollection services, IConfiguration config, string contentRoot)
    {
        var path = Path.GetFullPath(config["DataProtection:KeysPath"] ?? "data/keys", contentRoot);
        services.AddDataProtection()
            .SetApplicationName("CommerceManager")
            .PersistKeysToFileSystem(new DirectoryInfo(path));
        return services;
    }
}

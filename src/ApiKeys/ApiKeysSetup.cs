namespace CommerceManager.ApiKeys;

public static class ApiKeysSetup
{
    public static IServiceCollection AddApiKeys(this IServiceCollection services) => services.AddSingleton<ApiKeyService>();
}

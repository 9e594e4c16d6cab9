using CommerceManager.History;

namespace CommerceManager.ApiKeys;

public static class ApiKeysSetup
{
    public static IServiceCollection AddApiKeys(this IServiceCollection services)
    {
        services.AddSingleton<ApiKeyService>();
        // Keys made and revoked, by whom, on the Activity page (never a secret: only its client id).
        services.AddHistoryRule(HistoryRule.For<ApiKey>("api-key", ChangeKinds.Settings, k => k.Id, _ => null, k => k.Name)
            .Field(nameof(ApiKey.Name), "name").Field(nameof(ApiKey.ClientId), "client_id").Field(nameof(ApiKey.RevokedAt), "revoked_at"));
        return services;
    }
}

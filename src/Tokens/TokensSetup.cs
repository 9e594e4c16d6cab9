namespace CommerceManager.Tokens;

public static class TokensSetup
{
    public static IServiceCollection AddTokens(this IServiceCollection services) => services.AddSingleton<TokenService>();
}

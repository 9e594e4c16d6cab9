namespace CommerceManager.AccountMoves;

public static class AccountMovesSetup
{
    public static IServiceCollection AddAccountMoves(this IServiceCollection services) => services.AddSingleton<AccountMoveService>();
}

using CommerceManager.Security;

namespace CommerceManager.Tests.Security;

public sealed class PasswordPolicyTests
{
    [Theory]
    [InlineData("1234567", "at least 8")]
    [InlineData("password", "too common")]
    [InlineData("PASSWORD1", "too common")]
    [InlineData("iloveyou2", "too common")]
    public void Short_and_common_passwords_are_refused(string password, string reason)
    {
        Assert.Contains(reason, PasswordPolicy.Check(password), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lowercase only long phrase")]
    [InlineData("12345678901234567890xyzq")]
    [InlineData("ünïcödé pässwörd")]
    public void Long_uncommon_passwords_need_no_digits_symbols_or_capitals(string password)
    {
        Assert.Null(PasswordPolicy.Check(password));
    }

    [Fact]
    public void Up_to_128_characters_are_accepted()
    {
        Assert.Null(PasswordPolicy.Check(new string('k', 64) + new string('q', 64)));
        Assert.Contains("at most 128", PasswordPolicy.Check(new string('k', 129)), StringComparison.Ordinal);
    }
}

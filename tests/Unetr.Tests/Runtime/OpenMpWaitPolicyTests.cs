using System;
using Unetr.Model.Runtime;
using Xunit;

namespace Unetr.Tests.Runtime;

public sealed class OpenMpWaitPolicyTests
{
    [Fact]
    public void An_explicit_policy_in_the_environment_wins()
    {
        var previous = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY");
        try
        {
            Environment.SetEnvironmentVariable("OMP_WAIT_POLICY", "ACTIVE");

            Assert.Equal("ACTIVE (from the environment)", OpenMpWaitPolicy.PreferPassive());
        }
        finally
        {
            Environment.SetEnvironmentVariable("OMP_WAIT_POLICY", previous);
        }
    }
}

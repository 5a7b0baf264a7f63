package dev.loupe.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {

    @Test
    void anOutageDrainsTheBudgetAndTrafficRefillsIt() {
        RetryBudget budget = new RetryBudget(0.5, 2);
        assertTrue(budget.tryRetry());
        assertTrue(budget.tryRetry());
        assertFalse(budget.tryRetry(), "the budget is spent: no more retries than it allows");
        budget.onFirstCall();
        assertFalse(budget.tryRetry(), "half a token is not a retry");
        budget.onFirstCall();
        assertTrue(budget.tryRetry());
    }

    @Test
    void retryAfterIsReadInSecondsOrAsAnHttpDate() {
        assertEquals(Duration.ofSeconds(7), OpenAiCompatibleBackend.retryAfter("7"));
        assertEquals(Duration.ZERO, OpenAiCompatibleBackend.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT"), "a date in the past");
        assertNull(OpenAiCompatibleBackend.retryAfter("soon"));
    }

    @Test
    void aHugeRetryAfterIsClampedAndNeverOverflows() {
        assertEquals(OpenAiCompatibleBackend.MAX_RETRY_AFTER, OpenAiCompatibleBackend.retryAfter("9223372036854775807"));
        assertEquals(OpenAiCompatibleBackend.MAX_RETRY_AFTER,
                OpenAiCompatibleBackend.retryAfter("99999999999999999999999999999"));
        assertEquals(OpenAiCompatibleBackend.MAX_RETRY_AFTER, OpenAiCompatibleBackend.retryAfter("86400"));
        assertEquals(OpenAiCompatibleBackend.MAX_RETRY_AFTER,
                OpenAiCompatibleBackend.retryAfter("Fri, 31 Dec 9999 23:59:59 GMT"));
    }
}

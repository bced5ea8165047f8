-- Key limits reserve before the call and settle after (server/modules/gateway/key-limits.ts).
--
-- gateway_reserve checks every limit of one key and, when all hold, counts the
-- request and reserves its estimated tokens (minute row) and cost (today's
-- spend row) — atomically, in one round trip, whichever replica asks: the two
-- rows are locked first (FOR UPDATE), so concurrent reservations of a key queue
-- on them and each sees the others' reservations. A refused request changes
-- nothing. gateway_settle replaces reservations with what was used (the
-- difference, often negative: the unused part is released) and adds usage that
-- had no reservation (served while the counters could not be read).
--
-- Windows are fixed: the UTC minute (requests, tokens) and the UTC budget
-- period (the sum of its days' spend). Tokens and cost are counted in the
-- window the request was reserved in.
--
-- Lock order, everywhere: a key's minute rows, then its day rows, keys in uuid
-- order (gateway_settle sorts its batch so), so reservations and settlements
-- never deadlock.

CREATE FUNCTION gateway_reserve(
    p_key uuid,
    p_tokens bigint,
    p_cost numeric,
    p_rpm integer,
    p_tpm bigint,
    p_budget numeric,
    p_period text
) RETURNS TABLE (
    refused text,
    window_start timestamptz,
    day date,
    requests integer,
    tokens bigint,
    spent numeric,
    window_left float8,
    period_left float8,
    period_end timestamptz
)
LANGUAGE plpgsql AS $$
DECLARE
    v_minute timestamptz := date_trunc('minute', now());
    v_day date := (now() AT TIME ZONE 'UTC')::date;
    v_start timestamp := date_trunc(coalesce(p_period, 'day'), now() AT TIME ZONE 'UTC');
    v_end timestamptz := (v_start + ('1 ' || coalesce(p_period, 'day'))::interval) AT TIME ZONE 'UTC';
    v_requests integer;
    v_tokens bigint;
    v_today numeric := 0;
    v_spent numeric := 0;
    v_refused text := NULL;
BEGIN
    SELECT c.requests, c.tokens INTO v_requests, v_tokens FROM gateway_rate_counters c
     WHERE c.api_key_id = p_key AND c.window_start = v_minute FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO gateway_rate_counters (api_key_id, window_start, requests, tokens)
        VALUES (p_key, v_minute, 0, 0) ON CONFLICT DO NOTHING;
        SELECT c.requests, c.tokens INTO v_requests, v_tokens FROM gateway_rate_counters c
         WHERE c.api_key_id = p_key AND c.window_start = v_minute FOR UPDATE;
    END IF;

    IF p_budget IS NOT NULL THEN
        SELECT s.cost_usd INTO v_today FROM gateway_spend_counters s
         WHERE s.api_key_id = p_key AND s.day = v_day FOR UPDATE;
        IF NOT FOUND THEN
            INSERT INTO gateway_spend_counters (api_key_id, day, cost_usd)
            VALUES (p_key, v_day, 0) ON CONFLICT DO NOTHING;
            SELECT s.cost_usd INTO v_today FROM gateway_spend_counters s
             WHERE s.api_key_id = p_key AND s.day = v_day FOR UPDATE;
        END IF;
        SELECT v_today + coalesce(sum(s.cost_usd), 0) INTO v_spent FROM gateway_spend_counters s
         WHERE s.api_key_id = p_key AND s.day >= v_start::date AND s.day < v_day;
    END IF;

    -- Budget first (it lasts longest), then requests, then tokens. Nothing may already be at the
    -- limit, and this request's estimate must fit beside what is spent and reserved.
    IF p_budget IS NOT NULL AND (v_spent >= p_budget OR v_spent + p_cost > p_budget) THEN
        v_refused := 'budget';
    ELSIF p_rpm IS NOT NULL AND v_requests + 1 > p_rpm THEN
        v_refused := 'requests';
    ELSIF p_tpm IS NOT NULL AND (v_tokens >= p_tpm OR v_tokens + p_tokens > p_tpm) THEN
        v_refused := 'tokens';
    ELSE
        UPDATE gateway_rate_counters c SET requests = c.requests + 1, tokens = c.tokens + p_tokens
         WHERE c.api_key_id = p_key AND c.window_start = v_minute;
        IF p_budget IS NOT NULL AND p_cost <> 0 THEN
            UPDATE gateway_spend_counters s SET cost_usd = s.cost_usd + p_cost
             WHERE s.api_key_id = p_key AND s.day = v_day;
        END IF;
        v_requests := v_requests + 1;
        v_tokens := v_tokens + p_tokens;
        v_spent := v_spent + p_cost;
    END IF;

    RETURN QUERY SELECT v_refused, v_minute, v_day, v_requests, v_tokens, v_spent,
        extract(epoch FROM (v_minute + interval '1 minute' - now()))::float8,
        extract(epoch FROM (v_end - now()))::float8,
        v_end;
END;
$$;

-- p_minute / p_day NULL: usage without a reservation, counted in the current window.
CREATE FUNCTION gateway_settle(
    p_keys uuid[],
    p_minutes timestamptz[],
    p_days date[],
    p_tokens bigint[],
    p_costs numeric[]
) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT t.key_id, coalesce(t.minute, date_trunc('minute', now())) AS minute, t.tokens
          FROM unnest(p_keys, p_minutes, p_tokens) AS t(key_id, minute, tokens)
         WHERE t.tokens <> 0
         ORDER BY 1, 2
    LOOP
        INSERT INTO gateway_rate_counters AS c (api_key_id, window_start, requests, tokens)
        VALUES (r.key_id, r.minute, 0, r.tokens)
        ON CONFLICT (api_key_id, window_start) DO UPDATE SET tokens = c.tokens + EXCLUDED.tokens;
    END LOOP;
    FOR r IN
        SELECT t.key_id, coalesce(t.day, (now() AT TIME ZONE 'UTC')::date) AS day, t.cost
          FROM unnest(p_keys, p_days, p_costs) AS t(key_id, day, cost)
         WHERE t.cost <> 0
         ORDER BY 1, 2
    LOOP
        INSERT INTO gateway_spend_counters AS s (api_key_id, day, cost_usd)
        VALUES (r.key_id, r.day, r.cost)
        ON CONFLICT (api_key_id, day) DO UPDATE SET cost_usd = s.cost_usd + EXCLUDED.cost_usd;
    END LOOP;
END;
$$;

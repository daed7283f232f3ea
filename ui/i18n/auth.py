"""Sign-in, roles and refusals."""

TEXT = {
    "auth.title": {"ko": "로그인", "en": "Sign in"},
    "auth.intro": {
        "ko": "경찰 내부 자료입니다. 허가된 사용자만 볼 수 있습니다. 공유받은 링크의 화면은 로그인 후에 열립니다.",
        "en": "Police data. Only authorised users may see it. A shared link opens after you sign in.",
    },
    "auth.name": {"ko": "사용자 이름", "en": "User name"},
    "auth.password": {"ko": "비밀번호", "en": "Password"},
    "auth.submit": {"ko": "로그인", "en": "Sign in"},
    "auth.failed": {
        "ko": "로그인할 수 없습니다. 이름과 비밀번호를 확인하세요. 여러 번 틀리면 잠시 잠깁니다.",
        "en": "Cannot sign in. Check the name and password. Repeated failures lock the account for a while.",
    },
    "auth.signing_in": {
        "ko": "로그인하는 중입니다… 화면이 바뀌지 않으면 이 사이트의 쿠키와 JavaScript가 허용되어 있는지 확인하세요.",
        "en": "Signing in… If the page does not change, check that cookies and JavaScript are allowed for this site.",
    },
    "auth.no_users": {
        "ko": "이 서버는 다른 컴퓨터에서 접속할 수 있어 로그인이 필요하지만, 등록된 사용자가 없습니다. 관리자가 서버에서 `python -m analytics users add 이름 --role admin` 으로 사용자를 등록하세요.",
        "en": "This server is reachable from other machines, so sign-in is required, but no users exist. An administrator must run `python -m analytics users add NAME --role admin` on the server.",
    },
    "auth.expired": {
        "ko": "오래 사용하지 않아 로그아웃되었습니다. 다시 로그인하세요.",
        "en": "You were signed out after a period of inactivity. Please sign in again.",
    },
    "auth.signed_in": {"ko": "{name} ({role})", "en": "{name} ({role})"},
    "auth.sign_out": {"ko": "로그아웃", "en": "Sign out"},
    "auth.refused": {
        "ko": "이 화면을 볼 권한이 없습니다 ({role}). 분석 담당자에게 문의하세요.",
        "en": "Your role ({role}) may not open this page. Ask the analysts.",
    },
    "auth.oidc": {"ko": "기관 계정으로 로그인", "en": "Sign in with the station account"},
    "auth.oidc_refused": {
        "ko": "이 계정은 이 대시보드를 볼 수 있도록 등록되지 않았습니다. 관리자에게 문의하세요.",
        "en": "This account is not registered for this dashboard. Ask an administrator.",
    },
    "auth.oidc_unverified": {
        "ko": "기관 계정의 이메일 주소가 확인(verified)되지 않아 들어갈 수 없습니다. 계정 관리자에게 이메일 확인을 요청하세요.",
        "en": "The station account's e-mail address is not verified, so it cannot sign in. Ask the account administrator to verify it.",
    },
    "role.viewer": {"ko": "열람자", "en": "viewer"},
    "role.analyst": {"ko": "분석 담당", "en": "analyst"},
    "role.admin": {"ko": "관리자", "en": "admin"},
    "role.local": {"ko": "이 컴퓨터", "en": "this machine"},
}

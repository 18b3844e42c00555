import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { DefinitionsPage } from './definitions-page';
import { DefinitionPage, NewDefinitionPage } from './definitions/definition-page';
import { QueuesPage } from './queues/queues-page';
import { ExecutionPage } from './execution-page';
import { ExecutionsPage } from './executions-page';
import { Link, useRoute } from './router';
import './styles.css';

function App() {
  const route = useRoute();
  return (
    <>
      <nav className="top">
        <Link to="/" className="brand">
          Baton
        </Link>
        <Link to="/executions" className={route.page === 'executions' || route.page === 'execution' ? 'on' : ''}>
          Executions
        </Link>
        <Link to="/definitions" className={route.page === 'definitions' || route.page === 'definition' || route.page === 'new-definition' ? 'on' : ''}>
          Definitions
        </Link>
        <Link to="/queues" className={route.page === 'queues' ? 'on' : ''}>
          Task queues
        </Link>
        <a href="/swagger-ui" className="right">
          API
        </a>
      </nav>
      <main>
        {route.page === 'executions' && <ExecutionsPage />}
        {route.page === 'execution' && <ExecutionPage id={route.id} />}
        {route.page === 'definitions' && <DefinitionsPage />}
        {route.page === 'definition' && <DefinitionPage key={`${route.name}:${route.version ?? ''}`} name={route.name} version={route.version} />}
        {route.page === 'new-definition' && <NewDefinitionPage />}
        {route.page === 'queues' && <QueuesPage />}
        {route.page === 'missing' && <div className="empty">No page at {route.path}.</div>}
      </main>
    </>
  );
}

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
